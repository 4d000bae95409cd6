"""docker-compose.yml, checked statically: the three-node NATS cluster, its routes, its users, and
how each salesflow service reaches and logs in to it."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from tests.unit.compose.reading import (
    COMPOSE_FILE,
    NATS_CLIENT_PORT,
    NATS_NODE_COUNT,
    ROOT,
    command_of,
    environment,
    flag,
    host_port,
    image_tag,
    nats_flags,
)


def test_three_nats_nodes_run_jetstream_in_one_named_cluster(nats_nodes: dict[str, dict[str, Any]]) -> None:
    assert len(nats_nodes) == NATS_NODE_COUNT, f"expected 3 nats services, found {sorted(nats_nodes)}"
    cluster_names, server_names, stores = set(), set(), set()
    for name, node in nats_nodes.items():
        major, minor = (int(part) for part in re.match(r"(\d+)\.(\d+)", image_tag(node)).groups())
        assert (major, minor) >= (2, 11), f"{name} runs nats {image_tag(node)}; 2.11 or newer is needed"
        flags = nats_flags(node)
        assert flag(flags, "-js", "--jetstream") is not None, f"{name} does not enable JetStream"
        cluster_name = flag(flags, "--cluster_name")
        assert cluster_name, f"{name} has no --cluster_name"
        cluster_names.add(cluster_name)
        server_name = flag(flags, "--server_name", "-n", "--name")
        assert server_name, f"{name} has no server name"
        server_names.add(server_name)
        store = flag(flags, "-sd", "--store_dir")
        assert store, f"{name} has no JetStream store directory (-sd)"
        volume = next((v.split(":")[0] for v in node.get("volumes", [])
                       if isinstance(v, str) and v.split(":")[1] == store), None)
        assert volume, f"{name} keeps its JetStream store {store} outside any volume"
        stores.add(volume)
    assert cluster_names == {"salesflow"}, f"nodes disagree on the cluster name: {cluster_names}"
    assert len(server_names) == NATS_NODE_COUNT, f"server names must differ: {server_names}"
    assert len(stores) == NATS_NODE_COUNT, f"each node needs its own store volume: {stores}"


def test_every_nats_node_routes_to_the_other_two(nats_nodes: dict[str, dict[str, Any]]) -> None:
    listen_ports = {}
    for name, node in nats_nodes.items():
        cluster = flag(nats_flags(node), "--cluster")
        assert cluster, f"{name} has no --cluster listen address"
        listen_ports[name] = urlparse(cluster).port
    for name, node in nats_nodes.items():
        routes = flag(nats_flags(node), "--routes", "-routes") or ""
        targets = {(u.hostname, u.port) for u in map(urlparse, filter(None, routes.split(",")))}
        expected = {(other, port) for other, port in listen_ports.items() if other != name}
        assert targets == expected, f"{name} routes to {sorted(targets)}, expected {sorted(expected)}"


# --- (b) PostgreSQL ---------------------------------------------------------------------------

def test_every_salesflow_service_knows_all_three_nats_nodes_and_keeps_three_replicas(
        salesflow_services: dict[str, dict[str, Any]], nats_nodes: dict[str, dict[str, Any]]) -> None:
    nodes = {(name, NATS_CLIENT_PORT) for name in nats_nodes}
    assert len(nodes) == NATS_NODE_COUNT
    for name, service in salesflow_services.items():
        env = environment(service)
        servers = {host_port(url) for url in env.get("NATS_URL", "").split(",") if url.strip()}
        assert servers == nodes, f"{name}: NATS_URL names {sorted(servers)}, expected {sorted(nodes)}"
        assert env.get("SALESFLOW_STREAM_REPLICAS") == str(NATS_NODE_COUNT), \
            f"{name}: SALESFLOW_STREAM_REPLICAS is {env.get('SALESFLOW_STREAM_REPLICAS')!r}, expected 3"


def test_every_nats_node_runs_with_the_users_of_docker_nats_conf(
        nats_nodes: dict[str, dict[str, Any]]) -> None:
    """docker/nats.conf reads each user's password from the node's environment: every one set."""
    from services.runtime.nats_auth import USERS, password_variable

    for name, node in nats_nodes.items():
        config = flag(nats_flags(node), "-c", "--config")
        assert config, f"{name} runs without a config file (-c): no users, anyone may do anything"
        mounted = {v.split(":")[1]: v.split(":")[0] for v in node.get("volumes", [])
                   if isinstance(v, str) and v.count(":") >= 1}
        assert (COMPOSE_FILE.parent / mounted.get(config, "")).resolve() == \
            (ROOT / "docker" / "nats.conf").resolve(), f"{name} does not mount docker/nats.conf"
        env = environment(node)
        for user in USERS:
            assert env.get(password_variable(user)), f"{name} lacks {password_variable(user)}"


def test_each_salesflow_service_logs_in_as_its_own_component_with_the_nodes_password(
        salesflow_services: dict[str, dict[str, Any]], nats_nodes: dict[str, dict[str, Any]]) -> None:
    from services.runtime.nats_auth import password_variable

    node_env = environment(next(iter(nats_nodes.values())))
    for name, service in salesflow_services.items():
        component = command_of(service)[2]
        env = environment(service)
        assert env.get("SALESFLOW_NATS_USER") == component, \
            f"{name} logs in as {env.get('SALESFLOW_NATS_USER')!r}, not {component!r}"
        assert env.get("SALESFLOW_NATS_PASSWORD") == node_env[password_variable(component)], \
            f"{name}'s password default differs from the NATS nodes' one"
