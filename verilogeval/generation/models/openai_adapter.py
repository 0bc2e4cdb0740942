"""The lean path: the official openai SDK against any OpenAI-compatible base URL.

Parameters follow the model map when it knows the name (`openai:o3` gets
max_completion_tokens and no temperature); an unknown server teaches the run what it
refuses with its first 400 (models/params.py). The base URL is always given to the SDK
(OPENAI_API_BASE by default), so the SDK never reads OPENAI_BASE_URL behind the run's back:
the CLI reads it once, and the run records and caches by it.
"""

from __future__ import annotations

import os
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

# Local servers (vLLM, llama.cpp) accept any key, but the SDK insists on one.
PLACEHOLDER_KEY = "EMPTY"
# Parameters the SDK's create() takes by name; any other goes into the JSON body as is.
_SDK_PARAMS = {
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "seed",
    "reasoning_effort",
}


class OpenAIAdapter(ModelAdapter):
    def __init__(self, model: str, settings: AdapterSettings) -> None:
        import openai

        key = os.environ.get("OPENAI_API_KEY")
        if key is None and settings.api_base is None:
            raise UserError(
                f"model openai:{model} needs OPENAI_API_KEY in the environment "
                "(or --api-base URL for an OpenAI-compatible server)"
            )
        # Only OpenAI's own models have a map price; any other server's is unknown.
        self._prices = run_prices(f"openai/{model}", settings.api_base, settings.prices)
        self._parameters = ModelParameters(model_facts(f"openai/{model}"))
        self.model = model
        self.identity = f"openai:{model}"
        self.api_base = settings.api_base
        self._server = settings.api_base or OPENAI_API_BASE
        self._client = openai.AsyncOpenAI(
            base_url=self._server,
            api_key=key or PLACEHOLDER_KEY,
            max_retries=0,  # the engine's retries are the only ones
            timeout=settings.timeout_s,
            http_client=openai.DefaultAioHttpClient(),
        )

    async def complete(self, request: Request) -> Completion:
        asked = asked_params(request.sampling)

        async def send(sent: dict[str, Any]) -> Any:
            return await self._client.chat.completions.create(
                model=self.model,
                # plain dicts, not the SDK's TypedDicts: the same JSON on the wire
                messages=request.messages(),  # type: ignore[arg-type]
                **{name: value for name, value in sent.items() if name in _SDK_PARAMS},
                extra_body={name: v for name, v in sent.items() if name not in _SDK_PARAMS},
            )

        response = await send_adjusting(self._parameters.policy(asked), asked, send, self._server)
        return first_choice(response, self.model, self._prices)

    def request_record(self, sampling: SamplingConfig) -> RequestSettings:
        return self._parameters.record(sampling)

    def resume_request(self, record: RequestSettings | None) -> None:
        self._parameters.resume(record)

    async def aclose(self) -> None:
        await self._client.close()
