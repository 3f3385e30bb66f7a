"""Administration for a city's IT: the site file and the ``tresen admin`` commands."""
