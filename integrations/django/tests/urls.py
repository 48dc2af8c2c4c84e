from django.urls import include, path

urlpatterns = [path("tandem/", include("tandem_django.urls"))]
