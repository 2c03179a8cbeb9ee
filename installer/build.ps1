<#
.SYNOPSIS
  Build sendesk for Windows: the one-folder bundle, a quick check of it, and the installer.

.DESCRIPTION
  Run from a PowerShell prompt in the sendesk folder on a 64-bit Windows 10/11 build PC with
  Python 3.11 or newer (python.org installer, "py" launcher) and Inno Setup 6.3 or newer:

    powershell -ExecutionPolicy Bypass -File installer\build.ps1

  1. makes build\venv with sendesk and the `build` extra of pyproject.toml (PyInstaller, Pillow);
  2. draws build\icons\sendesk.ico from resources\icons\sendesk.svg;
  3. runs installer\sendesk.spec: dist\sendesk\ holds sendesk.exe, sendesk-cli.exe, _internal\;
  4. checks the bundle: sendesk-cli --version, init and verify a throwaway database, and
     sendesk.exe --selftest (shows the first window offscreen, then exits 0);
  5. runs Inno Setup on installer\sendesk.iss: dist\installer\sendesk-setup-VERSION.exe.

  Nothing here needs an administrator; installing the result does.

.PARAMETER Python
  The Python to build with (default: "py -3.11" if the launcher has it, else "python").

.PARAMETER Iscc
  Path of ISCC.exe when Inno Setup is not in its usual folder.

.PARAMETER SkipInstaller
  Stop after the bundle and its check (no Inno Setup needed).
#>
param(
  [string]$Python = "",
  [string]$Iscc = "",
  [switch]$SkipInstaller
)
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)

function Invoke-Checked([string]$What, [scriptblock]$Command) {
  & $Command
  if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

$version = (Select-String -Path "src\sendesk\__init__.py" -Pattern '^__version__ = "([^"]+)"').Matches[0].Groups[1].Value
Write-Host "Building sendesk $version"

# 1. Build environment, kept apart from any developer .venv so test tools never reach the bundle.
$venv = "build\venv"
$py = "$venv\Scripts\python.exe"
if (-not (Test-Path $py)) {
  if ($Python) { $launcher = $Python -split " " }
  elseif (Get-Command py -ErrorAction SilentlyContinue) { $launcher = @("py", "-3.11") }
  else { $launcher = @("python") }
  $exe = $launcher[0]
  $rest = @($launcher | Select-Object -Skip 1)
  Invoke-Checked "creating $venv" { & $exe @rest -m venv $venv }
}
$stamp = "$venv\.installed"
if (-not (Test-Path $stamp) -or ((Get-Item pyproject.toml).LastWriteTime -gt (Get-Item $stamp).LastWriteTime)) {
  Invoke-Checked "upgrading pip" { & $py -m pip install --quiet --upgrade pip }
  Invoke-Checked "installing sendesk[build]" { & $py -m pip install --quiet -e ".[build]" }
  New-Item -ItemType File -Force $stamp | Out-Null
}

# 2. Icons (Qt draws the SVG; Pillow packs the sizes into one .ico).
$env:QT_QPA_PLATFORM = "offscreen"
Invoke-Checked "drawing the icons" { & $py installer\make_icons.py build\icons }
Remove-Item Env:\QT_QPA_PLATFORM

# 3. The bundle.
Invoke-Checked "PyInstaller" {
  & $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller installer\sendesk.spec
}
$bundle = "dist\sendesk"
$sizeMb = [math]::Round(((Get-ChildItem $bundle -Recurse -File | Measure-Object Length -Sum).Sum / 1MB))
Write-Host "Bundle: $bundle ($sizeMb MB)"

# 4. Check it, with a throwaway data folder and database.
$tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("sendesk-check-" + [guid]::NewGuid())
New-Item -ItemType Directory $tmp | Out-Null
$env:SENDESK_DATA_DIR = "$tmp\data"
try {
  $cli = "$bundle\sendesk-cli.exe"
  $out = & $cli --version
  if ($LASTEXITCODE -ne 0 -or $out -ne "sendesk $version") { throw "sendesk-cli --version printed '$out'" }
  $password = "Build check: correct horse battery staple 42"
  Invoke-Checked "sendesk-cli init" {
    $password | & $cli init "$tmp\school.sendesk" --school "Build Check Primary" --urn 100000 --user itadmin --full-name "IT Technician" | Out-Null
  }
  Invoke-Checked "sendesk-cli verify" { $password | & $cli verify "$tmp\school.sendesk" --user itadmin }
  $env:QT_QPA_PLATFORM = "offscreen"
  $watch = [System.Diagnostics.Stopwatch]::StartNew()
  $app = Start-Process -FilePath "$bundle\sendesk.exe" -ArgumentList @("--selftest", "`"$tmp\school.sendesk`"") -Wait -PassThru
  $watch.Stop()
  if ($app.ExitCode -ne 0) { throw "sendesk.exe --selftest exited $($app.ExitCode)" }
  Write-Host ("Bundle check passed; sendesk.exe showed its unlock window and exited in {0:N2} s (includes the self-test's 0.3 s wait)" -f $watch.Elapsed.TotalSeconds)
}
finally {
  Remove-Item Env:\SENDESK_DATA_DIR, Env:\QT_QPA_PLATFORM -ErrorAction SilentlyContinue
  Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
}

# 5. The installer.
if ($SkipInstaller) { return }
if (-not $Iscc) {
  $candidates = @(
    "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
    "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
    "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe"
  )
  $Iscc = $candidates | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
  if (-not $Iscc) {
    $onPath = Get-Command ISCC.exe -ErrorAction SilentlyContinue
    if ($onPath) { $Iscc = $onPath.Source }
  }
}
if (-not $Iscc) { throw "Inno Setup 6 (ISCC.exe) not found: install it, pass -Iscc PATH, or use -SkipInstaller." }
Invoke-Checked "Inno Setup" { & $Iscc /Q "/DAppVersion=$version" installer\sendesk.iss }
Write-Host "Installer: dist\installer\sendesk-setup-$version.exe"
