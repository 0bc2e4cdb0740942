"""Any provider litellm knows: `openai/gpt-4o`, `anthropic/...`, `ollama/...`, `hosted_vllm/...`.

The only module that imports litellm (seconds of start-up): the other adapters never
pay for it. Answers are priced from the model map, as the `openai:` adapter prices them.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

from verilogeval.errors import UserError
from verilogeval.generation.models.base import (
    OPENAI_API_BASE,
    AdapterSettings,
    Completion,
    ModelAdapter,
    Request,
    SamplingConfig,
)
from verilogeval.generation.models.capabilities import ModelParameters, model_facts
from verilogeval.generation.models.openai_errors import first_choice
from verilogeval.generation.models.params import asked_params, send_adjusting
from verilogeval.generation.models.pricing import run_prices
from verilogeval.runfolder.settings import RequestSettings

# Providers that only exist at an address the user runs: they need --api-base.
_SELF_HOSTED = {"hosted_vllm", "vllm", "openai_like", "llamafile", "lm_studio"}
# OpenAI-compatible servers accept any key, but the client insists on one.
PLACEHOLDER_KEY = "EMPTY"


def load_litellm() -> ModuleType:
    """litellm, quiet and with its bundled price map.

    Left alone, litellm downloads its price map at import time (seconds of stalling
    without network); verilogeval reads its own copy (models/model_map.py) anyway.
    """
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    return litellm


class LiteLLMAdapter(ModelAdapter):
    def __init__(self, model: str, settings: AdapterSettings) -> None:
        litellm = load_litellm()
        try:
            _, provider, _, _ = litellm.get_llm_provider(model, api_base=settings.api_base)
        except Exception:  # litellm says "unknown" with a bare Exception too, or a BadRequestError
            raise UserError(
                f"unknown model {model!r}: litellm needs provider/model (e.g. openai/gpt-4o, "
                "hosted_vllm/NAME); see 'verilogeval models' for aliases"
            ) from None
        if provider in _SELF_HOSTED and settings.api_base is None:
            raise UserError(f"model {model} is self-hosted: give its server with --api-base URL")
        self._api_key: str | None = None
        missing = litellm.validate_environment(model)["missing_keys"]
        if missing and settings.api_base is None:
            raise UserError(f"model {model} needs {', '.join(missing)} in the environment")
        if missing:
            self._api_key = PLACEHOLDER_KEY
        self.model = model
        self.identity = f"litellm:{model}"
        self.api_base = settings.api_base
        # litellm would read OPENAI_BASE_URL itself for an OpenAI model: the run's own base
        # URL (the CLI read that variable once) is always given instead.
        self._send_to = settings.api_base or (OPENAI_API_BASE if provider == "openai" else None)
        self._server = self._send_to or f"{provider}'s API"
        self._prices = run_prices(model, settings.api_base, settings.prices)
        self._timeout_s = settings.timeout_s
        self._litellm = litellm
        self._parameters = ModelParameters(model_facts(model))

    async def complete(self, request: Request) -> Completion:
        asked = asked_params(request.sampling)

        async def send(sent: dict[str, Any]) -> Any:
            return await self._litellm.acompletion(
                model=self.model,
                messages=request.messages(),
                **sent,
                api_base=self._send_to,
                api_key=self._api_key,
                timeout=self._timeout_s,
                num_retries=0,  # the engine's retries are the only ones
                max_retries=0,
            )

        response = await send_adjusting(self._parameters.policy(asked), asked, send, self._server)
        return first_choice(response, self.model, self._prices)

    def request_record(self, sampling: SamplingConfig) -> RequestSettings:
        return self._parameters.record(sampling)

    def resume_request(self, record: RequestSettings | None) -> None:
        self._parameters.resume(record)

    async def aclose(self) -> None:
        await self._litellm.close_litellm_async_clients()
