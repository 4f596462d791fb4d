"""Authentication without permissions: who may do what is strategy/policy.py's alone."""

from django.contrib.auth.backends import ModelBackend


class LoginBackend(ModelBackend):
    """Checks user name and password like Django's ModelBackend but grants no permission
    of its own (group and user permissions in the database are not consulted)."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
