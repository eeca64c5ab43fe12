"""结果应用: the grade of a project-year proposes a budget action for the next year, by its region's rule;
finance decides, with a reason."""
