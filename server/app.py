"""``create_app(settings)``: the only place the server is wired together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui
from litestar import Litestar
from litestar.config.response_cache import ResponseCacheConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from redis.asyncio import Redis

from server import __version__
from server.billing.api import CONTROLLERS as BILLING
from server.billing.board import BillingBoard
from server.board.api import BoardController
from server.board.floor import FloorBoard
from server.board.people import PeopleBoard
from server.bulk.api import ROUTES as BULK
from server.catalog.api import CONTROLLERS as CATALOG
from server.db.engine import create_engine, create_session_factory
from server.exceptions.api import CONTROLLERS as EXCEPTIONS
from server.http.deps import provide_uow
from server.http.guards import PUBLIC, role_guard
from server.http.health import HealthController
from server.http.observability import configure_logging
from server.http.problems import EXCEPTION_HANDLERS
from server.http.transaction import TransactionMiddleware
from server.identity.api import CONTROLLERS as IDENTITY
from server.identity.security import configure_password_hashing
from server.identity.throttle import Limits, LoginThrottle
from server.inbound.api import CONTROLLERS as INBOUND
from server.integration.api import CONTROLLERS as INTEGRATION
from server.integration.board import WebhooksBoard
from server.inventory.api import CONTROLLERS as INVENTORY
from server.inventory.board import InventoryBoard
from server.inventory.control_api import CONTROLLERS as INVENTORY_CONTROL
from server.layout.api import CONTROLLERS as LAYOUT
from server.layout.rules import configure_check_digit_key
from server.outbound.api import CONTROLLERS as OUTBOUND
from server.realtime.channels import make_channels, make_publisher
from server.returns.api import CONTROLLERS as RETURNS
from server.returns.board import ReturnsBoard
from server.settings import Settings, get_settings
from server.shipping.api import CONTROLLERS as SHIPPING
from server.shipping.board import ShippingBoard
from server.slotting.api import SLOTTING
from server.slotting.board import SlottingBoard
from server.tasks.api import CONTROLLERS as TASKS
from server.tasks.vas_api import CONTROLLERS as VAS_TASKS

SWAGGER_DIR = Path(swagger_ui.__file__).parent / "static"
BOARD_DIR = Path(__file__).parent / "board"


class MetricsController(PrometheusController):
    path = "/metrics"
    opt = PUBLIC
    tags = ["operations"]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    configure_password_hashing(settings.password_time_cost, settings.password_memory_kib)
    configure_check_digit_key(settings.secret_key)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    channels = make_channels(redis)

    async def startup(app: Litestar) -> None:
        engine = create_engine(
            settings.database_url, pool_size=settings.db_pool_size, echo=settings.db_echo, pre_ping=False
        )
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        app.state.redis = redis
        app.state.publish = make_publisher(channels)
        app.state.settings = settings
        app.state.login_throttle = LoginThrottle(
            Limits(settings.login_max_failures, settings.login_max_failures_per_ip, settings.login_window_s), redis
        )

    async def shutdown(app: Litestar) -> None:
        await app.state.engine.dispose()
        if redis is not None:
            await redis.aclose()

    prometheus = PrometheusConfig(
        app_name="wes", prefix="wes", group_path=True, exclude=["/metrics", "/schema", "/static"]
    )
    openapi = OpenAPIConfig(
        title="Warehouse execution system",
        version=__version__,
        path="/schema",
        description="Every error is application/problem+json with a stable `code`. Writes from handhelds and "
        "integrations carry an `Idempotency-Key` header.",
        render_plugins=[
            SwaggerRenderPlugin(
                js_url="/static/swagger/swagger-ui-bundle.js",
                css_url="/static/swagger/swagger-ui.css",
                standalone_preset_js_url="/static/swagger/swagger-ui-standalone-preset.js",
                path="/",
                favicon='<link rel="icon" href="/static/swagger/favicon-32x32.png">',
            )
        ],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", description="Token from /api/v1/auth/login"),
                "apiKey": SecurityScheme(
                    type="apiKey",
                    name="X-API-Key",
                    security_scheme_in="header",
                    description="An owner's API key",
                ),
            }
        ),
        security=[{"bearer": []}, {"apiKey": []}],
    )

    def provide_settings() -> Settings:
        return settings

    route_handlers: list[Any] = [
        HealthController,
        MetricsController,
        *IDENTITY,
        *LAYOUT,
        *CATALOG,
        *INVENTORY,
        *INVENTORY_CONTROL,
        *RETURNS,
        *OUTBOUND,
        *INBOUND,
        *TASKS,
        *EXCEPTIONS,
        *SHIPPING,
        *INTEGRATION,
        *SLOTTING,
        *BULK,
        *BILLING,
        *VAS_TASKS,
        SlottingBoard,
        BoardController,
        FloorBoard,
        ShippingBoard,
        PeopleBoard,
        WebhooksBoard,
        BillingBoard,
        ReturnsBoard,
        InventoryBoard,
        create_static_files_router(
            path="/static/swagger", directories=[SWAGGER_DIR], opt=PUBLIC, include_in_schema=False
        ),
        create_static_files_router(
            path="/static/board", directories=[BOARD_DIR / "static"], opt=PUBLIC, include_in_schema=False
        ),
    ]
    return Litestar(
        route_handlers=route_handlers,
        dependencies={
            "uow": Provide(provide_uow, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        guards=[role_guard],
        middleware=[
            prometheus.middleware,
            TransactionMiddleware(settings.max_body_bytes, {"/api/v1/import/": settings.import_max_bytes}),
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        plugins=[channels],
        template_config=TemplateConfig(directory=BOARD_DIR / "templates", engine=JinjaTemplateEngine),
        openapi_config=openapi,
        on_startup=[startup],
        on_shutdown=[shutdown],
        request_max_body_size=settings.max_body_bytes,
        response_cache_config=ResponseCacheConfig(),
        debug=settings.debug,
    )
