"""Sub-commands beyond scan/rules/explain. Each module has `register(subparsers)`; importing it
must stay cheap (heavy imports go inside the command's function)."""
