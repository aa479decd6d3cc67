"""The course on The Littlest JupyterHub: who teaches, who learns, and the formgrader.

Copy to /opt/tljh/config/jupyterhub_config.d/tdnn.py and run ``sudo tljh-config reload hub``
(``README.md`` in this folder has the whole recipe). TLJH loads every file there after its own
configuration. Zero to JupyterHub takes the same three settings from ``z2jh/config.yaml``.

- ``grader-tdnn`` is the course's own system account: it holds the instructor's kit (a clone of
  this repository) at /srv/course and runs the formgrader as a JupyterHub service, so
  instructors grade in the browser without sharing a login.
- Group ``formgrade-tdnn`` may open that service; group ``nbgrader-tdnn`` lists the students
  (nbgrader's JupyterHubAuthPlugin reads both groups, /etc/jupyter/nbgrader_config.py).
- Edit the user names; the course id must be the one in autograder/nbgrader_config.py.
"""
import os

c = get_config()  # noqa: F821 - injected by JupyterHub

COURSE = "training-deep-neural-networks"  # CourseDirectory.course_id of the course
SERVICE = "tdnn"  # the formgrader's URL: /services/tdnn/formgrader
INSTRUCTORS = ["instructor1"]
STUDENTS = ["student1", "student2"]

c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": INSTRUCTORS + ["grader-tdnn"]},
    f"nbgrader-{COURSE}": {"users": STUDENTS},
}
c.JupyterHub.load_roles = [
    {   # instructors open the formgrader service
        "name": "formgrade-tdnn",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [f"access:services!service={SERVICE}"],
    },
    {   # the formgrader looks up course groups and their members
        "name": "formgrader-service",
        "services": [SERVICE],
        "scopes": ["read:users:groups", "list:groups", f"read:groups!group=nbgrader-{COURSE}",
                   "list:users"],
    },
    {   # every single-user server reads its user's groups (which courses the student takes)
        "name": "server",
        "scopes": ["inherit"],
    },
]
c.JupyterHub.services = [
    {
        "name": SERVICE,
        "url": "http://127.0.0.1:9999",
        "command": ["jupyterhub-singleuser", "--port=9999", "--ServerApp.default_url=/formgrader"],
        "user": "grader-tdnn",
        # the course's nbgrader folder, whose nbgrader_config.py the formgrader reads
        "cwd": "/srv/course/autograder",
        "environment": {
            "PATH": "/srv/course/.venv/bin:/usr/local/bin:/usr/bin:/bin",
            "TDNN_OFFLINE": "1",
            # the gradebook on PostgreSQL (optional): the same URL the grading machines use
            "TDNN_GRADEBOOK_URL": os.environ.get("TDNN_GRADEBOOK_URL", ""),
        },
        "oauth_no_confirm": True,
    },
]
