"""An example third-party checker plugin (tests/test_plugin_entry_point.py):
a material the core does not know, with its own codes, recognition cues and
catalogue item, added through the `zjcheck.checks` entry point only."""
