"""The sales department service (业务部 / 市场部)."""
