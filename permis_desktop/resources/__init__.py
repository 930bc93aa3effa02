"""Files shipped with the application (fonts, data tables), located with `files()`."""
