# Runs a notebook the way Jupyter does (nbclient, an ipykernel, the notebook's folder as the working
# directory), then one more cell, given as the second argument, in the same kernel: the test's check
# of the notebook's own variables. Prints JSON: each cell's outputs (stream text, text/plain, the
# MIME types shown) by cell id, and the seconds the run took. A cell that fails raises
# nbclient's CellExecutionError, whose message holds the cell and its traceback.
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

path, check = sys.argv[1], sys.argv[2]
notebook = nbformat.read(path, as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell(check, id="test-check"))
start = time.monotonic()
NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(path)}}).execute()
seconds = time.monotonic() - start


def shown(output):
    data = output.get("data", {})
    return {"type": output["output_type"], "text": output.get("text", data.get("text/plain", "")), "mimes": sorted(data)}


print(json.dumps({"seconds": seconds, "cells": {cell.id: [shown(o) for o in cell.get("outputs", [])] for cell in notebook.cells}}))
