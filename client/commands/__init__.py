"""The nestry commands, one module per group of related commands (each exports ``COMMANDS``)."""
