"""A package on purpose: pytest (importlib mode) then names these modules ``tests.*``.

Without this file it would name them ``prefect.tests.*`` and register the repository's
``prefect/`` folder as the module ``prefect``, hiding the Prefect library from the tests.
"""
