"""What a reader is shown: computed findings (the sentences every page and the front page share), figures and
the HTML pages with their templates. Above `models`."""
