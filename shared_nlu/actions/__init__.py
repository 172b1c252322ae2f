"""Python actions: dialogue logic a YAML file cannot express, registered by name."""
