"""Only reference data is in the admin: no record of any child ever is (the IT administrator sees no content)."""

from django.contrib import admin

from .models import LevelOfNeed


@admin.register(LevelOfNeed)
class LevelOfNeedAdmin(admin.ModelAdmin):
    list_display = ["label", "order", "is_child_protection", "is_active"]
    fields = ["code", "label", "description", "order", "is_child_protection", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # triages point at levels; a level is retired with is_active, never deleted
