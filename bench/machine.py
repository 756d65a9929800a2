"""What a benchmark prints about the machine it ran on, beside its figures."""

import os


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: other work on the cores moves every absolute figure."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())
