from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def office_list(request):
    return render(request, "network/office_list.html", {"offices": []})
