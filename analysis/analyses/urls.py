from django.urls import path

from analysis.analyses import views

app_name = "analyses"
urlpatterns = [
    path("", views.analysis_list, name="list"),
    path("new/", views.analysis_start, name="start"),
    path("actions/", views.open_actions, name="actions"),
    path("<int:pk>/", views.analysis_detail, name="detail"),
    path("<int:pk>/patients/<int:number>/", views.patient_checklist, name="patient"),
    path(
        "<int:pk>/patients/<int:number>/columns/<slug:column>/",
        views.save_column,
        name="save_column",
    ),
    path("<int:pk>/actions/", views.add_action, name="add_action"),
    path("<int:pk>/actions/<int:action_id>/follow-up/", views.follow_up_action, name="follow_up"),
    path("<int:pk>/close/", views.close_analysis, name="close"),
    path("<int:pk>/pdf/", views.request_pdf, name="pdf"),
    path("<int:pk>/pdf/<int:job_id>/", views.pdf_status, name="pdf_status"),
    path("<int:pk>/pdf/<int:job_id>/download/", views.pdf_download, name="pdf_download"),
]
