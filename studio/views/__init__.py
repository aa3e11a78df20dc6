"""The studio's tabs beside the wizard: monitor, runs, chat, compare, export, hardware, queue."""
