from django.urls import path

from . import views

app_name = "enrichments"

urlpatterns = [
    path("", views.enrichment_list, name="list"),
    path("new/", views.enrichment_new, name="new"),
    path("<id:pk>/edit/", views.enrichment_edit, name="edit"),
    path("<id:pk>/deactivate/", views.enrichment_deactivate, name="deactivate"),
    path("<id:pk>/activate/", views.enrichment_activate, name="activate"),
    path("<id:pk>/remove/", views.enrichment_remove, name="remove"),
]
