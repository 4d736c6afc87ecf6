"""Skills that agents hold and conversations need. Routing rules and queues join them later."""

from django.db import models


class Skill(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
