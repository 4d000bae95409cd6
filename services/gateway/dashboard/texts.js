// Every text the page shows, in Simplified Chinese (the default) and English.
"use strict";
window.TEXTS = {
  zh: {
    title: "业务部流程看板", sign_in: "登录", sign_out: "退出", username: "用户名",
    password: "密码", tab_samples: "打样记录汇总表", tab_orders: "订单汇总表",
    tab_complaints: "客诉汇总表", tab_sla: "时限看板", filter: "筛选", as_of: "截至",
    now: "当前", prev: "上一页", next: "下一页", timeline: "记录轨迹", close: "关闭",
    live_on: "实时", live_off: "未连接", feed_lost: "实时更新已断开，正在重新连接…",
    rows: (shown, total) => `共 ${total} 条，显示 ${shown} 条`,
    page: (n, of) => `第 ${n} / ${of} 页`, none: "暂无记录", overdue: "超时",
    left: "剩余", loading: "加载中…", events: (n) => `共 ${n} 个事件`,
    signed_in_as: (name, dept) => `${name}（${dept}）`, lang_button: "English",
    as_of_note: (t) => `截至 ${t} 的汇总表`, sort_hint: "点击列名排序",
    tab_actions: "新建/操作", command: "命令", act_as: "角色", submit: "提交",
    no_actions: "您的角色没有可执行的命令", not_json: "不是合法的 JSON",
    stored: (n) => `已保存 ${n} 个事件`,
  },
  en: {
    title: "salesflow dashboard", sign_in: "Sign in", sign_out: "Sign out", username: "User name",
    password: "Password", tab_samples: "Sample Summary", tab_orders: "Order Summary",
    tab_complaints: "Complaint Summary", tab_sla: "SLA board", filter: "Filter", as_of: "As of",
    now: "Now", prev: "Previous", next: "Next", timeline: "Record timeline", close: "Close",
    live_on: "live", live_off: "offline", feed_lost: "live feed lost; reconnecting…",
    rows: (shown, total) => `${total} rows, ${shown} shown`,
    page: (n, of) => `page ${n} of ${of}`, none: "nothing yet", overdue: "overdue",
    left: "left", loading: "loading…", events: (n) => `${n} events`,
    signed_in_as: (name, dept) => `${name} (${dept})`, lang_button: "中文",
    as_of_note: (t) => `the tables as of ${t}`, sort_hint: "click a column to sort",
    tab_actions: "Actions", command: "Command", act_as: "Act as", submit: "Submit",
    no_actions: "Your roles may not give any command", not_json: "not valid JSON",
    stored: (n) => `${n} event(s) stored`,
  },
};
