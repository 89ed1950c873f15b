"""Loading and validating studies, frameworks and tables; REFI-QDA in and out."""
