"""Settings modules.

- ``base``: everything shared; reads the environment.
- ``local``: the default for ``manage.py``; fills in development keys kept in a
  git-ignored file so a fresh checkout runs with no configuration.
- ``production``: refuses to start without real keys.
- ``test``: fast hashing and throwaway keys for the test suite.
"""
