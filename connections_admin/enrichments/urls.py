from django.urls import path

from . import views

app_name = "enrichments"

urlpatterns = [path("", views.enrichment_list, name="list")]
