"""crm-workbench's helper package, in layers; a module imports only from its own layer and those below it:

core → language → data → models → report → stages → run

`tests/test_packaging.py` checks the order; ARCHITECTURE.md describes each layer.
"""
