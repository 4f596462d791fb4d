"""Japanese labels for django-axes in the admin (the library ships no Japanese catalogue).

``label_libraries()`` is called from ``StrategyConfig.ready()`` after
``adopt_registered_admins()``. It relabels in place, without forking the library:

- the app and its models (``verbose_name`` / ``verbose_name_plural`` on ``_meta``) and the
  model fields' ``verbose_name`` — the names the admin index, the changelist columns, the
  filters and the change forms show;
- what axes' ModelAdmins spell out themselves (the 「状態」 and 「有効期限」 columns, the
  fieldset titles, the locked-out filter), on the adopted admin classes only;
- the rows' ``__str__`` (the change form's subtitle, the deletion summary).

No migration follows: Django's migration state reads the options a model's Meta declared
(``_meta.original_attrs``) and the verbose name a field was constructed with
(``field._verbose_name``), neither of which is touched here. (A field's ``help_text`` is
read as it is, so it is left alone; tests/test_project.py checks no migration is pending.)
"""

from django.apps import apps
from django.contrib import admin
from django.utils import timezone

AXES_APP = "ログイン制限"

AXES_MODELS = {
    # model name: (verbose_name, verbose_name_plural)
    "accessattempt": ("ログイン失敗の集計", "ログイン失敗の集計"),
    "accessattemptexpiration": ("有効期限", "有効期限"),
    "accessfailurelog": ("ログイン失敗の記録", "ログイン失敗の記録"),
    "accesslog": ("ログインの記録", "ログインの記録"),
}

AXES_FIELDS = {
    # field name (the same on every axes model): verbose_name
    "user_agent": "ブラウザ（User-Agent）",
    "ip_address": "IP アドレス",
    "username": "ユーザー名",
    "http_accept": "受け付ける形式（HTTP Accept）",
    "path_info": "アクセス先のパス",
    "attempt_time": "試行日時",
    "locked_out": "ロックアウト",
    "get_data": "GET データ",
    "post_data": "POST データ",
    "failures_since_start": "失敗回数",
    "logout_time": "ログアウト日時",
    "session_hash": "セッションキーのハッシュ（SHA-256）",
    "access_attempt": "ログイン失敗の集計",
    "expires_at": "有効期限",
}

AXES_FIELDSETS = {"Form Data": "送信された内容", "Meta Data": "接続の情報"}


def _when(value) -> str:
    if value is None:
        return "日時未定"
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%Y-%m-%d %H:%M}"


def _who(row) -> str:
    return row.username or "（ユーザー名なし）"


def _attempt_str(self) -> str:
    return f"ログイン失敗の集計: {_who(self)}（{_when(self.attempt_time)}）"


def _failure_str(self) -> str:
    where = self.ip_address or "アドレス不明"
    locked = "、ロックアウト" if self.locked_out else ""
    return f"ログイン失敗: {_who(self)}（{_when(self.attempt_time)}、{where}{locked}）"


def _log_str(self) -> str:
    return f"ログイン: {_who(self)}（{_when(self.attempt_time)}）"


def _expiration_str(self) -> str:
    return f"有効期限: {_when(self.expires_at)}"


AXES_STR = {
    "accessattempt": _attempt_str,
    "accessattemptexpiration": _expiration_str,
    "accessfailurelog": _failure_str,
    "accesslog": _log_str,
}


@admin.display(description="状態")
def _attempt_status(self, obj) -> str:
    from axes.conf import settings as axes_settings

    remaining = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
    return f"あと {remaining} 回" if remaining > 0 else "ロック中"


@admin.display(description="有効期限")
def _attempt_expiration(self, obj) -> str:
    expiration = getattr(obj, "expiration", None)
    return _when(expiration.expires_at) if expiration is not None else "未設定"


def _locked_out_filter(library_filter):
    class LockedOutFilter(library_filter):
        title = "ロックアウト"

        def lookups(self, request, model_admin):
            return (("yes", "ロック中"), ("no", "ロックされていない"))

    return LockedOutFilter


def _label_admin(model_admin) -> None:
    """Axes' own words on its (adopted) ModelAdmin class, never on the library's class."""
    from axes.admin import IsLockedOutFilter

    cls = type(model_admin)
    if cls.__module__.startswith("axes."):
        raise RuntimeError("label_libraries() runs after adopt_registered_admins()")
    if model_admin.fieldsets:
        cls.fieldsets = tuple(
            (AXES_FIELDSETS.get(str(title), title) if title else title, options)
            for title, options in model_admin.fieldsets
        )
    if hasattr(cls, "status"):
        cls.status = _attempt_status
    if hasattr(cls, "expiration"):
        cls.expiration = _attempt_expiration
    cls.list_filter = [
        _locked_out_filter(item)
        if isinstance(item, type) and issubclass(item, IsLockedOutFilter)
        else item
        for item in model_admin.list_filter
    ]


def label_axes(site=admin.site) -> None:
    config = apps.get_app_config("axes")
    config.verbose_name = AXES_APP
    for model in config.get_models():
        opts = model._meta
        if opts.model_name in AXES_MODELS:
            opts.verbose_name, opts.verbose_name_plural = AXES_MODELS[opts.model_name]
        if opts.model_name in AXES_STR:
            model.__str__ = AXES_STR[opts.model_name]
        for field in opts.get_fields():
            if field.name in AXES_FIELDS and hasattr(field, "verbose_name"):
                field.verbose_name = AXES_FIELDS[field.name]
        model_admin = site._registry.get(model)
        if model_admin is not None:
            _label_admin(model_admin)


def label_libraries(site=admin.site) -> None:
    """Japanese names for the libraries' apps, models and fields in the admin."""
    if apps.is_installed("axes"):
        label_axes(site)
