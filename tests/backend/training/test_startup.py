"""Start-up: what a job's process imports. bitsandbytes is kept out of jobs that do not quantize
(peft and transformers import it whenever it is installed: 1.5-2 s of every start-up here)."""

from __future__ import annotations

import json

from tests.conftest import run_python

CODE = """
import json, sys
from backend.spec import JobSpec
from backend.training.model import hide_unused_packages
hide_unused_packages(JobSpec.from_dict({"method": {"name": %r}}))
import peft, trl, transformers
from transformers import BitsAndBytesConfig
loaded = sys.modules.get("bitsandbytes") is not None
print(json.dumps({"bnb_loaded": loaded, "peft_sees_bnb": peft.import_utils.is_bnb_available()}))
"""


def test_lora_jobs_skip_bitsandbytes_and_qlora_jobs_keep_it():
    lora = json.loads(run_python(CODE % "lora").stdout.strip().splitlines()[-1])
    qlora = json.loads(run_python(CODE % "qlora").stdout.strip().splitlines()[-1])
    assert lora == {"bnb_loaded": False, "peft_sees_bnb": False}
    assert qlora["peft_sees_bnb"] is True
