"""zjcheck: offline checker for 浙江省机电制造专业高级工程师 evidence packages."""

__version__ = "0.1.0"
