"""zjcheck's built-in checker plugins, one module per material.

Installed as `zjcheck_checks` and registered in pyproject.toml under the
entry-point group `zjcheck.checks`.  Every module has the same API; see
`zjcheck.plugins`.
"""
