"""xpnet's robustness suite: hostile input, honest answers.

Every property here holds for every input hypothesis generates: xpnet either succeeds
with finite results, or refuses with an error of its own (see :mod:`.oracle` for the
rule), and no file or fitted model is ever left that cannot be loaded back.

The default run is derandomised and short (profile ``hostile``); ``-m slow`` runs the
same properties on many more examples (profile ``hostile-slow``).
"""
