"""What the workbench computes about customers: segments, lifetime value (the purchase and spend models),
churn and its calibration, next purchase and offers, alerts, profiles, satisfaction, the action rules and the
campaign statistics. Above `data`; knows nothing of reports or runs."""
