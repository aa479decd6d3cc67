# The grading machines' image on Kubernetes (k8s/grade-job.yaml): Debian 12, whose python3.11
# the course is tested with, and the Debian packages the class grader needs (bubblewrap for the
# sandbox, util-linux's prlimit). The course itself (the kit, with its .venv) is on the course
# volume, made once by running `make setup` in a pod of this image, so that the venv's
# interpreter path is this image's:
#
#   docker build -f autograder/deploy/image/grader.Dockerfile -t registry.example.edu/tdnn/grader:2026.1 .
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.11 python3.11-venv make git ca-certificates \
      bubblewrap util-linux \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/course
