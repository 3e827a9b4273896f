from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Invitation, Membership, Organisation, User


@admin.register(User)
class AgoraUserAdmin(UserAdmin):
    list_display = ["email", "display_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "display_name", "username"]
    fieldsets = UserAdmin.fieldsets + (("Agora Santé", {"fields": ["display_name"]}),)


admin.site.register(Organisation)
admin.site.register(Membership)
admin.site.register(Invitation)
