"""Accounts, logging in, login sessions, passwords, permissions and the audit log."""
