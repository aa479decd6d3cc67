"""nbgrader's configuration for everyone on the course's JupyterHub: students and instructors.

Install it as /etc/jupyter/nbgrader_config.py (The Littlest JupyterHub: copy it there; Zero to
JupyterHub: the student image does, ``image/Dockerfile``). It names the exchange that
``release_assignment``, ``fetch_assignment``, ``submit``, ``collect`` and ``release_feedback``
meet in, and lets JupyterHub's groups say who takes and who teaches which course: a student in
the hub group ``nbgrader-<course_id>`` sees the course's assignments; a member of
``formgrade-<course_id>`` reaches its formgrader (``tljh/jupyterhub_config.py`` makes both).
The course's own settings (folders, the judge, the gradebook) stay in the course's
``autograder/nbgrader_config.py``, which the grader account's formgrader reads.
"""
from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821 - injected by nbgrader

# One folder on a disk every single-user server mounts (on Kubernetes, a ReadWriteMany volume);
# it must exist, owned by root, mode 1777, before the first release.
c.Exchange.root = "/usr/local/share/nbgrader/exchange"
c.Exchange.path_includes_course = True
c.Authenticator.plugin_class = JupyterHubAuthPlugin
