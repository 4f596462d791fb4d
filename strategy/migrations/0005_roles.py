"""The three roles as groups with their model permissions (object rules: strategy/rules.py)."""

from django.db import migrations

OUR_APPS = ("strategy", "projects", "kpis")
EDITOR_CHANGES = {
    "projects": ["project", "projectphase"],
    "kpis": ["indicator", "indicatorvalue", "indicatorevaluation"],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label__in=OUR_APPS)
    admin, _ = Group.objects.get_or_create(name="DX推進担当")
    admin.permissions.set(ours)
    viewer, _ = Group.objects.get_or_create(name="閲覧者")
    viewer.permissions.set(ours.filter(codename__startswith="view_"))
    editor, _ = Group.objects.get_or_create(name="部局編集者")
    codenames = [
        f"{action}_{model}"
        for models in EDITOR_CHANGES.values()
        for model in models
        for action in ("add", "change", "delete")
        if not (model in ("project", "indicator") and action != "change")
    ]
    editor.permissions.set(
        list(ours.filter(codename__startswith="view_"))
        + list(ours.filter(codename__in=codenames, content_type__app_label__in=EDITOR_CHANGES))
    )


def drop_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["DX推進担当", "閲覧者", "部局編集者"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0004_staff_and_confirmed_years"),
        ("projects", "0001_initial"),
        ("kpis", "0002_staff_and_confirmed_years"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, drop_roles)]
