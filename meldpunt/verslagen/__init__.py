"""Oral reports and meetings: minutes the reporter reads, corrects and approves; meeting requests."""
