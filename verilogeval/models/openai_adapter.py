"""The lean path: the official openai SDK against any OpenAI-compatible base URL."""

from __future__ import annotations

import os

from verilogeval.errors import UserError
from verilogeval.models.base import AdapterSettings, Completion, ModelAdapter, Request
from verilogeval.models.openai_errors import first_choice, translate_error
from verilogeval.models.pricing import cost_usd, load_litellm

# Local servers (vLLM, llama.cpp) accept any key, but the SDK insists on one.
PLACEHOLDER_KEY = "EMPTY"


class OpenAIAdapter(ModelAdapter):
    def __init__(self, model: str, settings: AdapterSettings) -> None:
        import openai

        key = os.environ.get("OPENAI_API_KEY")
        if key is None and settings.api_base is None:
            raise UserError(
                f"model openai:{model} needs OPENAI_API_KEY in the environment "
                "(or --api-base URL for an OpenAI-compatible server)"
            )
        # Only OpenAI's own models have a price; any other server's is unknown. litellm (for
        # its price map) is imported now, as importing it later would stall the event loop.
        self._priced = settings.api_base is None
        if self._priced:
            load_litellm()
        self.model = model
        self.identity = f"openai:{model}"
        self.api_base = settings.api_base
        self._client = openai.AsyncOpenAI(
            base_url=settings.api_base,
            api_key=key or PLACEHOLDER_KEY,
            max_retries=0,  # the engine's retries are the only ones
            timeout=settings.timeout_s,
            http_client=openai.DefaultAioHttpClient(),
        )

    async def complete(self, request: Request) -> Completion:
        sampling = request.sampling
        try:
            # messages are plain dicts, not the SDK's TypedDicts: the same JSON on the wire
            response = await self._client.chat.completions.create(  # type: ignore[call-overload]
                model=self.model,
                messages=request.prompt.messages(),
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                max_tokens=sampling.max_tokens,
                **({} if sampling.seed is None else {"seed": sampling.seed}),
            )
        except Exception as error:
            raise translate_error(error) from error
        text, finish_reason, usage = first_choice(response)
        return Completion(
            text=text,
            usage=usage,
            finish_reason=finish_reason,
            model=response.model or self.model,
            cost=cost_usd(self.model, usage) if self._priced else None,
        )

    async def aclose(self) -> None:
        await self._client.close()
