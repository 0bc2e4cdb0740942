"""Where untrusted code runs: the sandbox, process pools, Dask cluster, parser child."""
