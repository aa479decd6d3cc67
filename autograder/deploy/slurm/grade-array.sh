#!/usr/bin/env bash
# Grade one assignment on N nodes at once: a SLURM job array, task i grading share i of N.
# All tasks read the submissions from the course folder on the cluster's shared file system and
# write one PostgreSQL gradebook. A task that fails is resubmitted with the same index
# (sbatch --array=<i> grade-array.sh), which resumes its share (tdnn/grade/shards.py).
#
#   export TDNN_GRADEBOOK_URL='postgresql+psycopg://grader:PASSWORD@db.example.edu/course'
#   sbatch --export=ALL,ASSIGNMENT=fast_optimizers autograder/deploy/slurm/grade-array.sh
#
# The class grader runs as root (each kernel gets a uid of its own and a bubblewrap sandbox):
# it needs nodes where the job may run as root, e.g. a partition of grading nodes whose
# slurmd runs the job through sudo, or the course's own machines. Keep --array and SHARDS equal.
#SBATCH --job-name=tdnn-grade
#SBATCH --array=0-3
#SBATCH --nodes=1
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=tdnn-grade-%A_%a.log
set -euo pipefail
SHARDS=4
COURSE=${COURSE:-/srv/course}
: "${ASSIGNMENT:?set ASSIGNMENT, e.g. sbatch --export=ALL,ASSIGNMENT=fast_optimizers}"
: "${TDNN_GRADEBOOK_URL:?set TDNN_GRADEBOOK_URL to the PostgreSQL gradebook}"
export TDNN_GRADEBOOK_URL TDNN_OFFLINE=1
cd "$COURSE"
exec "$COURSE/.venv/bin/python" -m tdnn.grade "$ASSIGNMENT" --autograder "$COURSE/autograder" \
  --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --jobs "$((2 * ${SLURM_CPUS_PER_TASK:-4}))"
