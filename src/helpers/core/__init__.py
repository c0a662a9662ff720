"""The foundation every layer stands on: the run's config, the errors a user can act on, how written values
(dates, numbers) are read, and where log output goes. Imports nothing else from `helpers`."""
