"""Reports over run folders: loading, leaderboard, failure categories, plots and HTML."""
