"""Notifications to subscribed organisations: subscriptions, the notification outbox and its relay."""
