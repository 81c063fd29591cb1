from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.export_list, name="list"),
    path("new/", views.export_new, name="new"),
    path("disconnect/", views.export_disconnect_selected, name="disconnect_selected"),
    path("connection-options/", views.connection_options, name="connection_options"),
    path("<id:pk>/", views.export_view, name="view"),
    path("<id:pk>/edit/", views.export_edit, name="edit"),
    path("<id:pk>/disconnect/", views.export_disconnect, name="disconnect"),
    path("<id:pk>/remove/", views.export_remove, name="remove"),
    path("run/", views.export_run_selected, name="run_selected"),
    path("<id:pk>/run/", views.export_run, name="run"),
    path("<id:pk>/runs/", views.export_runs, name="runs"),
    path("<id:pk>/runs/<id:run_pk>/cancel/", views.run_cancel, name="run_cancel"),
]
