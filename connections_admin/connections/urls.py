from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    path("", views.connection_list, name="list"),
    path("discover/", views.discover, name="discover"),
    path("new/", views.choose_type, name="choose_type"),
    path("new/<str:type_key>/", views.connection_new, name="new"),
    path("<id:pk>/edit/", views.connection_edit, name="edit"),
    path("<id:pk>/remove/", views.connection_remove, name="remove"),
    path("<id:pk>/remove/dependants/", views.connection_dependants, name="dependants"),
    path("<id:pk>/verify/", views.connection_verify, name="verify"),
    path("<id:pk>/host-key/", views.connection_accept_host_key, name="accept_host_key"),
]
