"""Build-time code: compiles the packaged data from registries and ``../shared``.

Run ``python -m spundetect.build ARTIFACT`` (``lm``, ``thesaurus``, ``phrases``,
``fingerprints`` or ``all``). Nothing here runs when spundetect is used.
"""
