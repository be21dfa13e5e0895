"""Experiments: replications, sweeps and calibration, on any executor.

The top library layer. ``seeds`` is the one path that runs a scenario for a list of
seeds; ``executors`` runs tasks here, in local processes or on a Dask cluster;
``runner`` fills a run folder, ``comparison`` runs scenarios with shared seeds,
``sweep``/``ledger``/``sweep_runner`` run parameter sweeps, ``targets``/``calibrate``
fit the model to register statistics.
"""
