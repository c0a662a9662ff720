"""Running the pipeline: the command line, the runner that executes the stage notebooks, the run folder and
its manifest, and the checks made before a run. The top layer."""
