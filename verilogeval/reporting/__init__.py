"""Reports over run folders: metrics, the leaderboard, failure categories, plots and HTML."""
