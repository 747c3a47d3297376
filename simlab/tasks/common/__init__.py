"""Config sections and helpers shared by several tasks (not a task itself)."""
